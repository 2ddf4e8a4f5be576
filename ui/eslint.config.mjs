// ESLint (flat config): Next.js' recommended rules with Core Web Vitals and TypeScript.
// Run by `npm run lint`, which scripts/lint.sh (and so `make test`) calls; warnings fail it.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // React Compiler rules (eslint-plugin-react-hooks 7). The pages load their data in an
      // effect that resets state first (no data library), and useRealtime keeps the latest
      // listener in a ref; both are the documented pre-compiler patterns and the app does not
      // use the compiler, so these two rules are off rather than suppressed line by line.
      "react-hooks/set-state-in-effect": "off",
      "react-hooks/refs": "off",
    },
  },
  {
    ignores: [".next/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "src/api/schema.d.ts"],
  },
];

export default config;
