import type { ComponentChildren } from "preact";
import { navigate } from "../router.js";

interface LinkProps {
  href: string;
  class?: string;
  children: ComponentChildren;
  "aria-current"?: "page";
  "aria-label"?: string;
  title?: string;
}

/** An in-app link: a real `<a>` (open in new tab still works) that navigates without a reload. */
export function Link({ href, children, ...rest }: LinkProps) {
  const follow = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={follow} {...rest}>
      {children}
    </a>
  );
}
