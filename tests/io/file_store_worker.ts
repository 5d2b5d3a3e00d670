/** Worker for `file_store_test.ts`: runs FileStore calls in a worker (its blocking file calls). */
import { exerciseStore } from "./file_store_exercise.ts";

const scope = self as unknown as {
  onmessage: (event: MessageEvent<string>) => void;
  postMessage: (value: unknown) => void;
};
scope.onmessage = async (event) => scope.postMessage(await exerciseStore(event.data));
