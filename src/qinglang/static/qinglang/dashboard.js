// Draws the dashboard's activity chart from the JSON the page embeds (no inline script: CSP).
(function () {
  "use strict";
  var holder = document.getElementById("activity-chart");
  var source = document.getElementById("activity-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.counts, itemStyle: { color: "#1f6feb" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
