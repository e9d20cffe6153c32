import { parseYaml } from "./src/core/yaml.ts";
const text = `policy:
  max_reviewers: 3
modules:
  - name: "NN"
    label: x
    paths: [a/**, b]
  -
    name: Opt
    paths:
      - c
      - d
`;
const r = parseYaml(text, "f.yml");
if (r.ok) { for (const p of [["policy"],["policy","max_reviewers"],["modules"],["modules",0],["modules",0,"label"],["modules",0,"paths",1],["modules",1],["modules",1,"paths"],["modules",1,"paths",1]]) console.log(JSON.stringify(p), r.doc.lineOf(p)); }
console.log(parseYaml("a: [1\nb: 2", "x.yml"));
