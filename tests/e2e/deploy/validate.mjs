// validate.mjs NPM_DIR FILE... -- validates every document of every YAML file
// against the Kubernetes schemas (npm kubernetes-models) and Knative's
// (@kubernetes-models/knative), installed by scripts/deps.sh in NPM_DIR.
// Prints "ok FILE KIND NAME" or "invalid FILE KIND NAME: REASON" per document;
// exits 1 when any document is invalid or of a kind it has no schema for.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [npmDir, ...files] = process.argv.slice(2);
const mods = join(npmDir, "node_modules");
const yaml = (await import(pathToFileURL(join(mods, "js-yaml/dist/js-yaml.mjs")))).default;

function modelPath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  if (group && group.endsWith(".knative.dev"))
    return join(mods, "@kubernetes-models/knative", group, version, `${kind}.js`);
  return join(mods, "kubernetes-models", ...(group ? [group, version] : [version]), `${kind}.mjs`);
}

let bad = 0, n = 0;
for (const file of files) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (doc == null) continue;
    n++;
    const what = `${file} ${doc.kind} ${doc.metadata && doc.metadata.name}`;
    const path = modelPath(String(doc.apiVersion), String(doc.kind));
    if (!existsSync(path)) {
      console.log(`invalid ${what}: no schema for ${doc.apiVersion} ${doc.kind}`);
      bad++;
      continue;
    }
    const mod = await import(pathToFileURL(path));
    const Model = mod[doc.kind] || mod.default;
    try {
      new Model(doc).validate();
      console.log(`ok ${what}`);
    } catch (e) {
      console.log(`invalid ${what}: ${e.message}`);
      bad++;
    }
  }
}
if (n === 0) {
  console.log("no documents");
  process.exit(1);
}
process.exit(bad ? 1 : 0);
