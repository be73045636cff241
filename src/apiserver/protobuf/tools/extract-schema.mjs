// Regenerates ../schema/**/generated.proto: the subset of Kubernetes' protobuf schema that skiff decodes.
//
//   node src/apiserver/protobuf/tools/extract-schema.mjs [/usr/lib/google-cloud-sdk/bin/kubectl.1.32]
//
// Source of truth: the gzipped FileDescriptorProtos that gogo-protobuf compiles into every Go binary
// (generated.pb.go `fileDescriptor_…`). Reading them out of stock kubectl 1.32 gives exactly the
// k8s.io/api and k8s.io/apimachinery v0.32 field names, numbers and types that kubectl encodes with,
// plus the `(gogoproto.nullable) = false` marks telling which fields are Go non-pointers (always written,
// even when empty). The published generated.proto files hold the same fields without those marks.
// `(gogoproto.embed) = true` marks Go embedded structs whose JSON is inlined (`json:",inline"`, e.g.
// Volume.volumeSource); it is read from the struct tags kept in the same binary.
// Only messages reachable from ROOTS are written, in Kubernetes' order; nothing inside them is left out.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import descriptorJson from 'protobufjs/google/protobuf/descriptor.json' with { type: 'json' };

const ROOTS = [
  'k8s.io.apimachinery.pkg.runtime.Unknown',
  ...['Namespace', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Pod', 'PodTemplateSpec'].map(
    (k) => `k8s.io.api.core.v1.${k}`,
  ),
  ...['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet'].map((k) => `k8s.io.api.apps.v1.${k}`),
  'k8s.io.api.batch.v1.Job',
  'k8s.io.api.batch.v1.CronJob',
  'k8s.io.api.policy.v1.Eviction',
];

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', 'schema');
const binary = process.argv[2] ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

const descRoot = protobuf.Root.fromJSON(descriptorJson);
protobuf.parse(
  'syntax = "proto2"; package gogoproto; extend google.protobuf.FieldOptions { optional bool nullable = 65001; ' +
    'optional string customname = 65004; }',
  descRoot,
);
descRoot.resolveAll();
const FileDescriptorProto = descRoot.lookupType('google.protobuf.FileDescriptorProto');

/** Every k8s.io FileDescriptorProto gzipped inside the binary, by file name. */
function readDescriptors(file) {
  const bin = fs.readFileSync(file);
  const gzipHeader = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0x02, 0xff]); // Go's gzip.Writer
  const files = new Map();
  for (let i = bin.indexOf(gzipHeader); i >= 0; i = bin.indexOf(gzipHeader, i + 1)) {
    let fd;
    try {
      const raw = zlib.gunzipSync(bin.subarray(i, i + 4_000_000), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      fd = FileDescriptorProto.toObject(FileDescriptorProto.decode(raw), {
        enums: String,
        longs: Number,
        arrays: true,
      });
    } catch {
      continue; // not a descriptor
    }
    if (fd.name?.startsWith('k8s.io/') && fd.package) files.set(fd.name, fd);
  }
  return files;
}

/** `GoFieldName/protobufNumber` of every embedded struct field tagged `json:",inline"` in the binary. */
function readInlineFields(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const found = new Set();
  // Go keeps each struct field's name and tag together: name, a length byte or two, then the tag.
  for (const m of text.matchAll(/([A-Z][A-Za-z0-9]+)[\s\S]{1,2}json:",inline" protobuf:"bytes,(\d+),/g)) {
    found.add(`${m[1]}/${m[2]}`);
  }
  return found;
}

const files = readDescriptors(binary);
const inlineFields = readInlineFields(binary);
const messages = new Map(); // full name → { file, message }
for (const fd of files.values()) {
  for (const m of fd.messageType) messages.set(`${fd.package}.${m.name}`, { file: fd, message: m });
}

// Transitive closure over message-typed fields (map entries are nested types: follow their value type).
const keep = new Set();
const queue = [...ROOTS];
while (queue.length > 0) {
  const name = queue.pop();
  if (keep.has(name)) continue;
  const entry = messages.get(name);
  if (!entry) throw new Error(`message ${name} not found in ${binary}`);
  keep.add(name);
  const fields = [entry.message.field, ...entry.message.nestedType.map((n) => n.field)].flat();
  for (const f of fields) {
    const target = f.typeName?.slice(1);
    if (target && !target.startsWith(`${name}.`)) queue.push(target);
  }
}

const SCALARS = {
  TYPE_STRING: 'string',
  TYPE_BYTES: 'bytes',
  TYPE_BOOL: 'bool',
  TYPE_INT32: 'int32',
  TYPE_INT64: 'int64',
  TYPE_DOUBLE: 'double',
  TYPE_FLOAT: 'float',
};

function typeRef(field, pkg) {
  if (field.type !== 'TYPE_MESSAGE') {
    if (!SCALARS[field.type]) throw new Error(`unexpected field type ${field.type}`);
    return SCALARS[field.type];
  }
  const full = field.typeName.slice(1);
  return full.startsWith(`${pkg}.`) && !full.slice(pkg.length + 1).includes('.')
    ? full.slice(pkg.length + 1)
    : full;
}

function renderField(field, message, pkg) {
  const mapEntry = message.nestedType.find(
    (n) => n.options?.mapEntry && field.typeName === `.${pkg}.${message.name}.${n.name}`,
  );
  const goName = field.options?.['.gogoproto.customname'];
  const embedded =
    goName === field.typeName?.split('.').pop() && inlineFields.has(`${goName}/${field.number}`);
  const marks = [
    ...(field.options?.['.gogoproto.nullable'] === false ? ['(gogoproto.nullable) = false'] : []),
    ...(embedded ? ['(gogoproto.embed) = true'] : []),
  ];
  const opts = marks.length > 0 ? ` [${marks.join(', ')}]` : '';
  if (mapEntry) {
    const [k, v] = mapEntry.field;
    return `  map<${typeRef(k, pkg)}, ${typeRef(v, pkg)}> ${field.name} = ${field.number}${opts};`;
  }
  const label = field.label === 'LABEL_REPEATED' ? 'repeated' : 'optional';
  return `  ${label} ${typeRef(field, pkg)} ${field.name} = ${field.number}${opts};`;
}

const LICENSE = `/*
Copyright The Kubernetes Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/`;

fs.rmSync(outDir, { recursive: true, force: true });
for (const fd of files.values()) {
  const kept = fd.messageType.filter((m) => keep.has(`${fd.package}.${m.name}`));
  if (kept.length === 0) continue;
  const used = new Set(
    kept
      .flatMap((m) => [m.field, ...m.nestedType.map((n) => n.field)].flat())
      .map((f) => f.typeName?.slice(1)),
  );
  const imports = fd.dependency.filter(
    (dep) =>
      dep.startsWith('github.com/gogo/') ||
      [...used].some((t) => t && files.get(dep) && t.startsWith(`${files.get(dep).package}.`)),
  );
  const total = fd.messageType.length;
  const lines = [
    LICENSE,
    '',
    `// A SUBSET of Kubernetes' ${fd.name} (${fd.name.split('/').slice(0, 2).join('/')} v0.32, as compiled into`,
    `// kubectl 1.32): ${kept.length} of its ${total} messages, those reachable from the kinds skiff decodes from`,
    "// protobuf. Field names, numbers and types are Kubernetes'; so are the Go facts the JSON form depends on:",
    '// `(gogoproto.nullable) = false` marks a non-pointer field, `(gogoproto.embed) = true` an inlined one.',
    '// Documentation comments are left out. Generated by src/apiserver/protobuf/tools/extract-schema.mjs.',
    '',
    'syntax = "proto2";',
    '',
    `package ${fd.package};`,
    '',
    ...imports.map((dep) => `import "${dep}";`),
    '',
    `option go_package = "${fd.options.goPackage}";`,
  ];
  for (const m of kept) {
    lines.push('', `message ${m.name} {`, ...m.field.map((f) => renderField(f, m, fd.package)), '}');
  }
  const out = path.join(outDir, fd.name);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${lines.join('\n')}\n`);
  console.log(`${out}: ${kept.length}/${total} messages`);
}
