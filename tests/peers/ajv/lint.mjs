// Compiles every tool's inputSchema and outputSchema with Ajv (JSON Schema 2020-12) in strict
// mode, as MCP Inspector and the MCP conformance suite's tools-list check do, and prints one
// line per problem. Reads a tools/list result (`{"tools": [...]}`) or a list/map of tools
// from the file named by argv[2]. Exit status: 0 when there are no errors and no warnings.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const raw = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tools = Array.isArray(raw) ? raw : Array.isArray(raw.tools) ? raw.tools : Object.values(raw);
const problems = [];
let compiled = 0;
for (const tool of tools) {
  for (const key of ["inputSchema", "outputSchema"]) {
    const schema = tool[key];
    if (schema === undefined) continue;
    const where = `${tool.name}.${key}`;
    const logger = {
      log: () => {},
      warn: (...args) => problems.push(`warning ${where}: ${args.join(" ")}`),
      error: (...args) => problems.push(`error ${where}: ${args.join(" ")}`),
    };
    const ajv = new Ajv2020({ strict: true, allErrors: true, logger });
    addFormats(ajv);
    try {
      ajv.compile(schema);
      compiled += 1;
    } catch (err) {
      problems.push(`error ${where}: ${err.message}`);
    }
  }
}
for (const line of problems) console.log(line);
console.log(`compiled ${compiled} schemas of ${tools.length} tools; ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
