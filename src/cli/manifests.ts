// Manifests for `apply -f` and `delete -f`: files, directories (their .yaml/.yml/.json files, sorted) or stdin,
// split into YAML documents, `List`s expanded, empty documents skipped. Every document is parsed and checked
// before anything is sent, so a malformed file changes nothing on the server.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/types.js';
import { CliError } from './errors.js';

export interface ManifestSource {
  /** As kubectl names it in messages: the path given, a file inside a directory, or `STDIN`. */
  name: string;
  text: string;
}

export interface Manifest {
  source: string;
  /** 1-based line where the object's document starts. */
  line: number;
  object: KubeObject;
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Parses one source into objects; throws CliError naming the file and line on malformed YAML or objects. */
export function parseManifests(src: ManifestSource): Manifest[] {
  const lineCounter = new LineCounter();
  // YAML 1.1, as Kubernetes' own YAML decoder reads manifests (`yes` is a boolean, `0755` is octal).
  const docs = parseAllDocuments(src.text, { lineCounter, version: '1.1', prettyErrors: false });
  const out: Manifest[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const firstError = doc.errors[0];
    if (firstError) {
      const line = firstError.linePos?.[0].line ?? lineCounter.linePos(firstError.pos[0]).line;
      throw new CliError(`error: error parsing ${src.name}: line ${line}: ${firstLine(firstError.message)}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineCounter.linePos(start).line;
    for (const object of expandLists(value, src.name, line)) out.push({ source: src.name, line, object });
  }
  return out;
}

/** Reads every `-f` argument: a file, a directory (not recursive) or `-` for stdin. */
export async function readManifestSources(paths: string[], stdin: Readable): Promise<ManifestSource[]> {
  const out: ManifestSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ name: 'STDIN', text: await readAll(stdin) });
      continue;
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new CliError(`error: the path "${path}" does not exist`);
    if (info.isDirectory()) {
      const names = (await readdir(path))
        .filter((n) => MANIFEST_EXTENSIONS.some((e) => n.endsWith(e)))
        .sort();
      for (const n of names) out.push({ name: join(path, n), text: await readFile(join(path, n), 'utf8') });
    } else {
      out.push({ name: path, text: await readFile(path, 'utf8') });
    }
  }
  return out;
}

/** Reads and parses all sources; the first problem aborts everything. */
export async function loadManifests(paths: string[], stdin: Readable, verb: string): Promise<Manifest[]> {
  if (paths.length === 0) throw new CliError('error: must specify one of -f and -k');
  const sources = await readManifestSources(paths, stdin);
  const manifests = sources.flatMap(parseManifests);
  if (manifests.length === 0) throw new CliError(`error: no objects passed to ${verb}`);
  return manifests;
}

function expandLists(value: unknown, source: string, line: number): KubeObject[] {
  const obj = checkObject(value, source, line);
  const isList = obj.kind === 'List' || (obj.kind.endsWith('List') && Array.isArray(obj.items));
  if (!isList) return [obj];
  const items = Array.isArray(obj.items) ? (obj.items as unknown[]) : [];
  const itemKind = obj.kind === 'List' ? undefined : obj.kind.slice(0, -'List'.length);
  return items.flatMap((item) => {
    // Items of a typed list (PodList) may leave out their kind and apiVersion.
    const filled =
      itemKind && item && typeof item === 'object'
        ? { apiVersion: obj.apiVersion, kind: itemKind, ...(item as object) }
        : item;
    return expandLists(filled, source, line);
  });
}

function checkObject(value: unknown, source: string, line: number): KubeObject {
  const where = `error validating "${source}": document at line ${line}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError(`error: ${where}: error validating data: the document is not an object`);
  }
  const v = value as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof v.apiVersion !== 'string' || v.apiVersion === '') missing.push('apiVersion not set');
  if (typeof v.kind !== 'string' || v.kind === '') missing.push('kind not set');
  if (missing.length > 0)
    throw new CliError(`error: ${where}: error validating data: [${missing.join(', ')}]`);
  const isList = (v.kind as string).endsWith('List');
  const meta = v.metadata as Record<string, unknown> | undefined;
  if (!isList && (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string' || !meta.name)) {
    throw new CliError(`error: ${where}: error validating data: metadata.name not set`);
  }
  return value as KubeObject;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
