/**
 * Test helpers for the S3 tests: an `s3rver` child process on 127.0.0.1 that can be
 * killed and restarted on the same port and folder, and store options for it.
 * @module
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { S3Options } from "../../src/io/s3_store.ts";

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "s3rver_child.ts");

/** s3rver's built-in test credentials. */
export const testCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** A running (or stopped) s3rver child. */
export interface S3TestServer {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  /** The folder holding the buckets. */
  readonly directory: string;
  /** SIGKILL the server (a crash: in-flight requests are cut) and wait for it to exit. */
  kill(): Promise<void>;
  /** Start it again on the same port and folder. */
  restart(): Promise<void>;
  /** Stop it (if running) and remove its folder. */
  close(): Promise<void>;
}

async function spawn(port: number, directory: string, buckets: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-sys",
      childScript,
      String(port),
      directory,
      ...buckets,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("s3rver did not start within 30 s")), 30_000);
  });
  try {
    while (!/READY (\d+)/.test(text)) {
      const { value, done } = await Promise.race([reader.read(), timeout]);
      if (done) break;
      text += value;
    }
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
    await reader.cancel();
  }
  const match = /READY (\d+)/.exec(text);
  if (!match) {
    const stderr = new TextDecoder().decode((await child.output()).stderr);
    throw new Error(`s3rver exited before it was ready: ${stderr.slice(-2000)}`);
  }
  // stderr is drained in the background so the child never blocks on a full pipe.
  const drained = child.stderr.pipeTo(new WritableStream());
  return { child, drained, port: Number(match[1]) };
}

/**
 * Start s3rver on 127.0.0.1 at a free port with a fresh temporary folder.
 * @param buckets buckets to create
 */
export async function startS3Server(buckets: string[]): Promise<S3TestServer> {
  const directory = await Deno.makeTempDir({ prefix: "clemreg_s3_" });
  let running: Awaited<ReturnType<typeof spawn>> | undefined = await spawn(0, directory, buckets);
  const port = running.port;
  const stop = async () => {
    if (!running) return;
    const { child, drained } = running;
    running = undefined;
    child.kill("SIGKILL");
    await child.status;
    await drained.catch(() => {});
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    directory,
    kill: stop,
    async restart() {
      if (running) throw new Error("s3rver is already running");
      running = await spawn(port, directory, []);
    },
    async close() {
      await stop();
      await Deno.remove(directory, { recursive: true });
    },
  };
}

/** Store options for a test server: its endpoint, test credentials and quick retries. */
export function optionsFor(server: S3TestServer, extra: S3Options = {}): S3Options {
  return {
    endpoint: server.endpoint,
    region: "us-east-1",
    credentials: testCredentials,
    baseDelayMs: 20,
    maxDelayMs: 500,
    timeoutMs: 10_000,
    ...extra,
  };
}
