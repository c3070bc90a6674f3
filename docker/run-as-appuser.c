/*
 * The `user` sandbox backend's switch: runs a command as the unprivileged tools user.
 *
 * Installed setuid root, mode 4750, group of the server's user: only the server may run it. It
 * drops every group, sets all three uids and gids to the tools user (`appuser` unless built with
 * -DTARGET_USER=...), forbids regaining privileges (no_new_privs, so no setuid program inside can
 * undo this), sets HOME, USER and LOGNAME to that user's, and runs the command with the rest of
 * the environment the server gave (its allowlist). It never runs anything as root: a tools user
 * with uid 0 is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef TARGET_USER
#define TARGET_USER "appuser"
#endif

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s command [argument...]\n", argv[0]);
    return 64;
  }
  struct passwd *user = getpwnam(TARGET_USER);
  if (user == NULL) {
    fprintf(stderr, "run-as-appuser: no user %s\n", TARGET_USER);
    return 70;
  }
  if (user->pw_uid == 0 || user->pw_gid == 0) {
    fprintf(stderr, "run-as-appuser: refusing to run as uid 0\n");
    return 70;
  }
  if (user->pw_uid == getuid()) {
    fprintf(stderr, "run-as-appuser: %s is the caller's own user: nothing would be isolated\n", TARGET_USER);
    return 70;
  }
  if (setgroups(0, NULL) != 0 || setresgid(user->pw_gid, user->pw_gid, user->pw_gid) != 0 ||
      setresuid(user->pw_uid, user->pw_uid, user->pw_uid) != 0) {
    fprintf(stderr, "run-as-appuser: cannot switch to %s: %s\n", TARGET_USER, strerror(errno));
    return 71;
  }
  uid_t real, effective, saved;
  if (getresuid(&real, &effective, &saved) != 0 || real != user->pw_uid || effective != user->pw_uid || saved != user->pw_uid) {
    fprintf(stderr, "run-as-appuser: the switch did not hold\n");
    return 71;
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    fprintf(stderr, "run-as-appuser: cannot set no_new_privs: %s\n", strerror(errno));
    return 71;
  }
  setenv("HOME", user->pw_dir, 1);
  setenv("USER", user->pw_name, 1);
  setenv("LOGNAME", user->pw_name, 1);
  execvp(argv[1], argv + 1);
  fprintf(stderr, "run-as-appuser: %s: %s\n", argv[1], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}
