import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR, CHART_README, CONTRACTS_FILE, renderContracts, withValuesTable } from './chart-files';

/** `npm run helm:generate`: rewrites the chart's generated files (topics, values table) from their sources. */
const root = process.cwd();
writeFileSync(join(root, CONTRACTS_FILE), renderContracts());
const values = readFileSync(join(root, CHART_DIR, 'values.yaml'), 'utf8');
const readme = join(root, CHART_README);
writeFileSync(readme, withValuesTable(readFileSync(readme, 'utf8'), values));
console.log(`wrote ${CONTRACTS_FILE} and the values table of ${CHART_README}`);
