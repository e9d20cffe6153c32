// `node dist/src/io/build-prebuilt.js`, run by `npm run build`: check the bundled YAML (never the
// prebuilt file) and write the result where the CLI and the app look first (see prebuilt.ts).

import { BUNDLED_CONFIG, checkBundledYaml } from "./files.js";
import { writePrebuilt } from "./prebuilt.js";

const { loaded, problems } = checkBundledYaml();
if (!loaded) {
  for (const p of problems)
    process.stderr.write(`${p.file}${p.line ? `:${p.line}` : ""}: ${p.severity}: ${p.key ? `${p.key}: ` : ""}${p.message}\n`);
  process.exitCode = 1;
} else if (loaded.config.app.codeowners || problems.length > 0) {
  // CODEOWNERS is read at run time, and warnings name files relative to the working directory.
  process.stdout.write("bundled configuration has warnings or reads CODEOWNERS: not prebuilt\n");
} else {
  process.stdout.write(`wrote ${writePrebuilt(BUNDLED_CONFIG, loaded)}\n`);
}
