/**
 * A TCP proxy on 127.0.0.1 that drops its first connections after reading the
 * request (the server never answers), then forwards bytes both ways: a real
 * dropped connection for the retry tests.
 * @module
 */

/** A running proxy. */
export interface FlakyProxy {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stop listening, cut every connection and wait for the proxy's tasks. */
  close(): Promise<void>;
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/**
 * Start a proxy to `127.0.0.1:targetPort` that drops the first `dropFirst` connections.
 * @param targetPort the server's port
 * @param dropFirst how many connections to drop after reading their request bytes
 */
export function startFlakyProxy(targetPort: number, dropFirst: number): FlakyProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let accepted = 0;

  const handle = async (conn: Deno.Conn, drop: boolean) => {
    open.add(conn);
    try {
      if (drop) {
        await conn.read(new Uint8Array(64 * 1024)).catch(() => null);
        return;
      }
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      open.add(upstream);
      try {
        await Promise.all([
          conn.readable.pipeTo(upstream.writable).catch(() => {}),
          upstream.readable.pipeTo(conn.writable).catch(() => {}),
        ]);
      } finally {
        open.delete(upstream);
        closeQuietly(upstream);
      }
    } finally {
      open.delete(conn);
      closeQuietly(conn);
    }
  };

  const loop = (async () => {
    try {
      for await (const conn of listener) {
        accepted++;
        const task = handle(conn, accepted <= dropFirst).catch(() => {});
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch {
      // listener closed
    }
  })();

  return {
    endpoint: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get accepted() {
      return accepted;
    },
    async close() {
      listener.close();
      await loop;
      for (const conn of open) closeQuietly(conn);
      await Promise.all([...tasks]);
    },
  };
}
