// Field paths for validation errors, printed the way Kubernetes prints them (k8s.io/apimachinery
// pkg/util/validation/field.Path): `spec.containers[0].image`, `metadata.labels[app]`, `data[key]`.

export class FieldPath {
  private constructor(private readonly text: string) {}

  /** A path starting at `name` (e.g. `spec`, `metadata`). */
  static of(...names: string[]): FieldPath {
    return new FieldPath(names.join('.'));
  }

  child(...names: string[]): FieldPath {
    const tail = names.join('.');
    return new FieldPath(this.text ? `${this.text}.${tail}` : tail);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

/** Shorthand: `fieldPath('spec', 'containers')`. */
export function fieldPath(...names: string[]): FieldPath {
  return FieldPath.of(...names);
}
