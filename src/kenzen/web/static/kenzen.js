// Draws the 90-day metric trends from each canvas's data-trend (rates in percent), with
// the target as a dashed line, and the 180-day rating history from data-rating-history,
// with the bands' lower bounds dashed. Kept in a file of its own: the CSP forbids inline
// scripts.
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
  for (const canvas of document.querySelectorAll("canvas[data-rating-history]")) {
    const history = JSON.parse(canvas.dataset.ratingHistory);
    const limits = history.thresholds.map((limit, i) => ({
      label: i === 0 ? history.bands : "",
      data: history.days.map(() => limit),
      borderColor: i === 0 ? "#0b6e4f" : "#b3261e",
      borderDash: [4, 4],
      borderWidth: 1,
      pointRadius: 0,
    }));
    new Chart(canvas, {
      type: "line",
      data: {
        labels: history.days,
        datasets: [
          { label: history.label, data: history.values, borderColor: "#1d3557", pointRadius: 0, stepped: true, spanGaps: true },
          ...limits,
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, suggestedMax: 300 } },
      },
    });
  }
});
