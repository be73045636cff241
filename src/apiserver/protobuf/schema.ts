// Loads the Kubernetes protobuf schema subset in ./schema/ (see the header of each generated.proto there)
// into one protobufjs Root, once. Field names are kept as written (`keepCase`), because Kubernetes'
// proto field names are exactly its JSON field names.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** The schema files, relative to the schema root (the same paths as in Kubernetes' import statements). */
const SCHEMA_FILES = [
  'k8s.io/apimachinery/pkg/runtime/generated.proto',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto',
  'k8s.io/apimachinery/pkg/util/intstr/generated.proto',
  'k8s.io/apimachinery/pkg/api/resource/generated.proto',
  'k8s.io/api/core/v1/generated.proto',
  'k8s.io/api/apps/v1/generated.proto',
  'k8s.io/api/batch/v1/generated.proto',
  'k8s.io/api/policy/v1/generated.proto',
];

// Run from source (vitest) the .proto files sit beside this module. `tsc` does not copy them into dist/,
// so compiled code (dist/src/apiserver/protobuf/) falls back to the source tree it was built from.
const CANDIDATE_DIRS = [
  new URL('./schema/', import.meta.url),
  new URL('../../../../src/apiserver/protobuf/schema/', import.meta.url),
];

let cached: protobuf.Root | undefined;

export function k8sSchema(): protobuf.Root {
  if (cached) return cached;
  const dir = CANDIDATE_DIRS.find((url) => fs.existsSync(new URL(SCHEMA_FILES[0], url)));
  if (!dir) {
    const tried = CANDIDATE_DIRS.map((url) => fileURLToPath(url)).join(', ');
    throw new Error(`Kubernetes protobuf schema not found (looked in ${tried})`);
  }
  const root = new protobuf.Root();
  // Parsing file by file leaves `import` lines unfollowed: the gogo.proto import is only there to declare
  // the (gogoproto.*) options, which protobufjs keeps uninterpreted in `field.options` for to-json.ts.
  for (const file of SCHEMA_FILES) {
    protobuf.parse(fs.readFileSync(new URL(file, dir), 'utf8'), root, { keepCase: true });
  }
  root.resolveAll(); // fails here, not on a request, if a message refers to one left out of the subset
  cached = root;
  return root;
}
