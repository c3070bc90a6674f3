/**
 * A provider SDK loaded on the first request instead of at start-up (the two SDKs are ~420 modules),
 * with its error classes known from then on for classifying failures.
 */
import { classifyFailure, sdkNotLoaded, type Failure, type SdkErrorClasses } from "./errors.js";

export interface LazySdk<Client> {
  connect(): Promise<Client>;
  classify(error: unknown): Failure;
}

export function lazySdk<Sdk extends SdkErrorClasses, Client>(load: () => Promise<Sdk>, create: (sdk: Sdk) => Client): LazySdk<Client> {
  let errorClasses: SdkErrorClasses = sdkNotLoaded;
  let loading: Promise<Client> | undefined;
  return {
    connect: () =>
      (loading ??= load().then((sdk) => {
        errorClasses = sdk;
        return create(sdk);
      })),
    classify: (error) => classifyFailure(error, errorClasses),
  };
}
