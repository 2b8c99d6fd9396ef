// Draws the 90-day metric trends from each canvas's data-trend (rates in percent), with
// the target as a dashed line. Kept in a file of its own: the CSP forbids inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  for (const canvas of document.querySelectorAll("canvas[data-trend]")) {
    const trend = JSON.parse(canvas.dataset.trend);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: trend.days,
        datasets: [
          { label: trend.label, data: trend.values, borderColor: "#0b6e4f", pointRadius: 0, tension: 0.2, spanGaps: true },
          { label: "target", data: trend.days.map(() => trend.target), borderColor: "#b3261e", borderDash: [4, 4], pointRadius: 0 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { maxTicksLimit: 4 } }, y: { beginAtZero: true, ticks: { callback: (v) => v + "%" } } },
      },
    });
  }
});
