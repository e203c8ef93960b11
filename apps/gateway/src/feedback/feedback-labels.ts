import type { FeedbackItem } from '@app/contracts';

export interface LabelRejection {
  index: number;
  reason: string;
}

/**
 * Each item's label as one of the model's classes, or its rejection naming them: a label is its
 * class exactly, or the one class it matches ignoring case and surrounding spaces.
 */
export function checkLabels<T>(
  items: readonly FeedbackItem[],
  classes: readonly string[],
  accept: (item: FeedbackItem, label: string) => T,
): { accepted: T[]; rejections: LabelRejection[] } {
  const accepted: T[] = [];
  const rejections: LabelRejection[] = [];
  items.forEach((item, index) => {
    const given = item.label.trim();
    const folded = given.toLowerCase();
    const matches = classes.includes(given) ? [given] : classes.filter((c) => c.toLowerCase() === folded);
    if (matches.length === 1) accepted.push(accept(item, matches[0]));
    else rejections.push({ index, reason: `label ${JSON.stringify(item.label.slice(0, 40))} is not one of ${listed(classes)}` });
  });
  return { accepted, rejections };
}

/** The classes a rejection names: all of a few, the first twenty of many (a label column may have thousands). */
function listed(classes: readonly string[]): string {
  return classes.length <= 20 ? classes.join(', ') : `${classes.slice(0, 20).join(', ')} (and ${classes.length - 20} more)`;
}
