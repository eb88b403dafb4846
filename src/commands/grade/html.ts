/**
 * gradebook.html: learners down the side, each notebook's exercises across the top, each cell
 * coloured by status with the detail on hover. One self-contained file (inline CSS, no script,
 * nothing fetched), so it opens from disk offline. Learner names and details come from
 * learners' files: everything is escaped.
 */
import { escapeMarkup } from "../../display/format";
import type { CourseNotebook } from "./course";
import type { Row, Status } from "./rows";
import type { Skipped } from "./submissions";

const LOOK: Record<Status | "not submitted", { mark: string; background: string; color: string }> = {
  passed: { mark: "✓", background: "#dafbe1", color: "#116329" },
  failed: { mark: "✗", background: "#ffebe9", color: "#a40e26" },
  "not attempted": { mark: "–", background: "#eaeef2", color: "#57606a" },
  error: { mark: "!", background: "#fff1c2", color: "#7d4e00" },
  "not submitted": { mark: "", background: "#ffffff", color: "#8c959f" },
};

const STYLE = `
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #1f2328; margin: 24px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: center; }
th.learner { text-align: left; font-weight: 600; max-width: 16em; overflow-wrap: anywhere; }
thead th { background: #f6f8fa; }
td.cell { min-width: 2.5em; font-weight: 700; cursor: help; }
td.total { font-variant-numeric: tabular-nums; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #d0d7de; }
caption { text-align: left; font-weight: 600; padding-bottom: 8px; }
`;

export interface PageInput {
  rows: ReadonlyArray<Row>;
  course: ReadonlyMap<string, CourseNotebook>;
  skipped: ReadonlyArray<Skipped>;
  /** One line: when and how the gradebook was made. */
  summary: string;
}

/** The whole page. */
export function gradebookHtml({ rows, course, skipped, summary }: PageInput): string {
  const learners = [...new Set(rows.map((r) => r.learner))];
  const notebooks = [...course.values()].filter((nb) => rows.some((r) => r.notebook === nb.file));
  const byKey = new Map(rows.map((r) => [`${r.learner}\0${r.notebook}\0${r.exercise}`, r]));
  const exerciseCount = notebooks.reduce((n, nb) => n + nb.exercises.length, 0);

  const top = notebooks
    .map((nb) => `<th scope="colgroup" colspan="${Math.max(1, nb.exercises.length)}">${escapeMarkup(nb.file.replace(/\.ipynb$/, ""))}</th>`)
    .join("");
  const second = notebooks
    .map((nb) => (nb.exercises.length ? nb.exercises.map((e) => `<th scope="col">${escapeMarkup(e.name)}</th>`).join("") : "<th>—</th>"))
    .join("");
  const body = learners.map((learner) => {
    let passed = 0;
    const cells = notebooks.map((nb) => {
      const whole = byKey.get(`${learner}\0${nb.file}\0*`);
      if (whole) return cell(whole.status, `${nb.file}: ${whole.detail}`, Math.max(1, nb.exercises.length));
      if (nb.exercises.length === 0) return cell("not submitted", "", 1);
      return nb.exercises
        .map((e) => {
          const row = byKey.get(`${learner}\0${nb.file}\0${e.name}`);
          if (row?.status === "passed") passed++;
          return row ? cell(row.status, `${nb.file}, ${e.name}: ${row.detail}`, 1) : cell("not submitted", `${nb.file}: not submitted`, 1);
        })
        .join("");
    });
    return `<tr><th scope="row" class="learner">${escapeMarkup(learner)}</th>${cells.join("")}<td class="total">${passed} / ${exerciseCount}</td></tr>`;
  });

  const legend = (Object.keys(LOOK) as Array<keyof typeof LOOK>)
    .map((s) => `<span style="background:${LOOK[s].background};color:${LOOK[s].color}">${LOOK[s].mark || "&nbsp;"} ${s}</span>`)
    .join("");
  const skippedList = skipped.length
    ? `<h2>Skipped files</h2>\n<p>These do not fit SUBMISSIONS/&lt;learner&gt;/&lt;notebook&gt;.ipynb and were not graded.</p>\n<ul>\n${skipped
        .map((s) => `<li><code>${escapeMarkup(s.path)}</code>: ${escapeMarkup(s.reason)}</li>`)
        .join("\n")}\n</ul>`
    : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Gradebook</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Gradebook</h1>
<p>${escapeMarkup(summary)}</p>
<p class="legend">${legend}</p>
<p>Hover over a cell for the checker's message or the reason for an error.</p>
<table>
<thead>
<tr><th rowspan="2" scope="col">learner</th>${top}<th rowspan="2" scope="col">passed</th></tr>
<tr>${second}</tr>
</thead>
<tbody>
${body.join("\n")}
</tbody>
</table>
${skippedList}
</body>
</html>
`;
}

function cell(status: Status | "not submitted", detail: string, span: number): string {
  const look = LOOK[status];
  const title = detail ? `${status}: ${detail}` : status;
  const colspan = span > 1 ? ` colspan="${span}"` : "";
  return (
    `<td class="cell"${colspan} style="background:${look.background};color:${look.color}" title="${escapeMarkup(title)}">` +
    `${look.mark}<span style="position:absolute;left:-9999px">${escapeMarkup(status)}</span></td>`
  );
}
