/**
 * `deno task bench [NAME]`: runs `bench/NAME_bench.ts` (or every benchmark) in turn.
 * @module
 */
const here = new URL(".", import.meta.url);
const wanted = Deno.args[0];
const names: string[] = [];
for await (const entry of Deno.readDir(here)) {
  const match = /^(.+)_bench\.ts$/.exec(entry.name);
  if (match?.[1] && (!wanted || match[1] === wanted)) names.push(match[1]);
}
names.sort();
if (names.length === 0) {
  console.error(`No benchmark named "${wanted}" in bench/ (expected bench/${wanted}_bench.ts).`);
  Deno.exit(2);
}
let failed = 0;
for (const name of names) {
  console.log(`\n== ${name} ==`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(`${name}_bench.ts`, here).pathname, ...Deno.args.slice(1)],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed === 0 ? 0 : 1);
