import { assert_, assertEquals } from "./assert.ts";

const jobScript = new URL("./heap_growth_job.ts", import.meta.url).pathname;

// Before the fix (b290480) the pool raced each reply against a "worker died" promise that never
// settles (its reactions kept every reply: 438-451 bytes per task in this job), and the scheduler
// raced an abort promise that never settles on each turn (184 bytes per task within an op). Now
// 7-19 and 24-37; the journal's map of done chunks keeps a few dozen bytes per chunk of the op
// that runs.
Deno.test("the main thread keeps no memory per finished task (pool replies, scheduler turns)", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", jobScript],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assertEquals(code, 0, text.decode(stderr));
  const { poolBytesPerTask, opBytesPerTask, tasks } = JSON.parse(text.decode(stdout));
  assertEquals(tasks, 8192);
  assert_(poolBytesPerTask < 100, `pool: the heap grew by ${poolBytesPerTask} bytes per task`);
  assert_(opBytesPerTask < 90, `one op: the heap grew by ${opBytesPerTask} bytes per task`);
});
