// Kubernetes resource quantities (`100m`, `0.5`, `128Mi`, `1G`, `1e3`), as in k8s.io/apimachinery
// pkg/api/resource. skiff keeps them as plain JavaScript numbers in base units: cores for cpu, bytes for memory.
// A double holds every realistic request/limit exactly enough for scheduling and QoS decisions.
//
//   <quantity> ::= <sign?><number><suffix?>      <number> ::= 12 | 12.5 | 12. | .5
//   <suffix>   ::= Ki|Mi|Gi|Ti|Pi|Ei (powers of 1024) | n|u|m|k|M|G|T|P|E (powers of 1000) | e<int> | E<int>

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E)?$/;

const MULTIPLIERS: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The message Kubernetes gives for a string that is not a quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/**
 * The numeric value of a quantity in base units (`100m` → 0.1, `128Mi` → 134217728).
 * Returns NaN (never throws) for anything that is not a valid quantity; check with isValidQuantity first when
 * the input comes from a user.
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return Number.isFinite(q) ? q : NaN;
  if (typeof q !== 'string') return NaN;
  const m = QUANTITY_RE.exec(q);
  if (!m) return NaN;
  const [, sign, digits, suffix = ''] = m;
  const base = Number(`${sign}${digits.endsWith('.') ? digits.slice(0, -1) : digits}`);
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    return base * 10 ** Number(suffix.slice(1));
  }
  return base * MULTIPLIERS[suffix];
}

export function isValidQuantity(q: unknown): boolean {
  if (typeof q === 'number') return Number.isFinite(q);
  return typeof q === 'string' && QUANTITY_RE.test(q);
}

/** Milli-units rounded up, like Quantity.MilliValue(): `100m` → 100, `0.5` → 500, `1` → 1000. NaN if invalid. */
export function cpuMillis(q: string | number): number {
  const v = parseQuantity(q);
  if (Number.isNaN(v)) return NaN;
  // toPrecision trims binary noise (0.1 * 1000 = 100.00000000000001) before rounding up.
  return Math.ceil(Number((v * 1000).toPrecision(12)));
}

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/**
 * A value in canonical Kubernetes form: the largest suffix that keeps an integer mantissa.
 * BinarySI suits memory (`134217728` → `128Mi`), DecimalSI suits cpu and counts (`0.1` → `100m`, `2000` → `2k`).
 */
export function formatQuantity(value: number, format: 'BinarySI' | 'DecimalSI' = 'DecimalSI'): string {
  if (!Number.isFinite(value)) return 'NaN';
  if (value === 0) return '0';
  if (Number.isInteger(value)) {
    const [base, suffixes] = format === 'BinarySI' ? [1024, BINARY_SUFFIXES] : [1000, DECIMAL_SUFFIXES];
    let mantissa = value;
    let i = 0;
    while (i < suffixes.length - 1 && mantissa % base === 0) {
      mantissa /= base;
      i++;
    }
    return `${mantissa}${suffixes[i]}`;
  }
  // Fractions use milli, micro or nano units (rounded up at nano, as Kubernetes does).
  for (const [suffix, scale] of [
    ['m', 1e3],
    ['u', 1e6],
  ] as const) {
    const scaled = Number((value * scale).toPrecision(12));
    if (Number.isInteger(scaled)) return `${scaled}${suffix}`;
  }
  return `${Math.ceil(Number((value * 1e9).toPrecision(12)))}n`;
}
