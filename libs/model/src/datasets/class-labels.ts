import { DatasetError, quoteValue } from './dataset-error';
import { compareCodePoints } from './learned-schema';
import { MAX_CLASSES, MAX_NAME_CHARS } from './limits';

/**
 * Collects the distinct labels of a label column while rows are read, refusing the
 * (MAX_CLASSES + 1)st at once, and finally numbers them as scikit-learn does (np.unique order).
 */
export class ClassLabels {
  private readonly ids = new Map<string, number>();
  private readonly firstSeen: number[] = [];

  constructor(private readonly column: string) {}

  add(label: unknown, where: string): void {
    const cell = typeof label === 'string' ? label.trim() : undefined;
    if (cell === undefined)
      throw new DatasetError(`${where}, column ${quoteValue(this.column)}: expected a label (text), got ${label === undefined ? 'nothing' : typeof label}`);
    let id = this.ids.get(cell);
    if (id === undefined) {
      if (cell === '') throw new DatasetError(`${where}, column ${quoteValue(this.column)}: empty label`);
      if (cell.length > MAX_NAME_CHARS)
        throw new DatasetError(`${where}, column ${quoteValue(this.column)}: a label of ${cell.length} characters; at most ${MAX_NAME_CHARS}`);
      if (this.ids.size === MAX_CLASSES) {
        throw new DatasetError(
          `${where}, column ${quoteValue(this.column)}: more than ${MAX_CLASSES} distinct classes; is ${quoteValue(this.column)} really the label column?`,
        );
      }
      id = this.ids.size;
      this.ids.set(cell, id);
    }
    this.firstSeen.push(id);
  }

  /** The class names in np.unique order and each row's index into them; at least 2 classes. */
  finish(): { classNames: string[]; y: number[] } {
    if (this.ids.size < 2) {
      throw new DatasetError(
        `column ${quoteValue(this.column)} holds ${this.ids.size === 0 ? 'no class' : `one class (${quoteValue([...this.ids.keys()][0])})`}; a classifier needs at least 2`,
      );
    }
    const seen = [...this.ids.keys()];
    const classNames = [...seen].sort(compareCodePoints);
    const sortedId = seen.map((name) => classNames.indexOf(name));
    return { classNames, y: this.firstSeen.map((k) => sortedId[k]) };
  }
}
