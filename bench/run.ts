// Benchmark runner: `npm run bench -- <suite>`. Each suite prints its own lines and returns its figures,
// which are printed last as one JSON object so CI can read them.
type Suite = () => Promise<Record<string, number>>;

const SUITES = {
  store: async () => (await import('./store')).runStoreBench(),
  sync: async () => (await import('./sync')).runSyncBench(),
  render: async () => (await import('./render')).runRenderBench(),
} satisfies Record<string, Suite>;

type SuiteName = keyof typeof SUITES;

function isSuite(name: string): name is SuiteName {
  return Object.prototype.hasOwnProperty.call(SUITES, name);
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  if (!isSuite(name)) {
    console.error(
      `${name ? `unknown benchmark suite "${name}"` : 'no benchmark suite given'}; ` +
        `choose one of: ${Object.keys(SUITES).join(', ')} (npm run bench -- <suite>)`,
    );
    process.exitCode = 2;
    return;
  }
  const figures = await SUITES[name]();
  console.log(JSON.stringify({ suite: name, ...figures }));
}

await main();

// An ES module (no imports at top), so the top-level await above is allowed.
export {};
