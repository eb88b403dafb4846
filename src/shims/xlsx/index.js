// Stands in for SheetJS xlsx inside danfojs-node (see package.json here for why).
"use strict";
function leftOut(name) {
  return () => {
    throw new Error(`xlsx.${name}: Excel files are left out of this course (danfo's readExcel/toExcel); use CSV or JSON instead`);
  };
}
const utils = new Proxy({}, { get: (_, name) => leftOut(`utils.${String(name)}`) });
module.exports = { read: leftOut("read"), readFile: leftOut("readFile"), writeFile: leftOut("writeFile"), utils };
