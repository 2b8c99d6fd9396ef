// Draws the transparency report's bar charts from each canvas's data-bars (labels, values)
// or data-stacks (automated and by-a-person counts per action). A file of its own: the CSP
// forbids inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  const options = (stacked) => ({
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { display: stacked } },
    scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
  });
  for (const canvas of document.querySelectorAll("canvas[data-bars]")) {
    const bars = JSON.parse(canvas.dataset.bars);
    new Chart(canvas, {
      type: "bar",
      data: { labels: bars.labels, datasets: [{ label: bars.label, data: bars.values, backgroundColor: "#0b6e4f" }] },
      options: options(false),
    });
  }
  for (const canvas of document.querySelectorAll("canvas[data-stacks]")) {
    const stacks = JSON.parse(canvas.dataset.stacks);
    const names = [canvas.dataset.automated, canvas.dataset.person];
    const colours = ["#0b57d0", "#b3261e"];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: stacks.labels,
        datasets: stacks.stacks.map((data, i) => ({ label: names[i], data, backgroundColor: colours[i] })),
      },
      options: options(true),
    });
  }
});
