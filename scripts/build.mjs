// npm run build: the browser bundles under static/build/ (git-ignored; README, Dockerfile and .ci/run build them)
import { build } from "esbuild";

const common = { bundle: true, minify: true, target: ["es2017"], legalComments: "none", logLevel: "warning" };
await build({ ...common, entryPoints: ["client/rules.js"], outfile: "static/build/rules.js", format: "iife",
              globalName: "FormRules" });
