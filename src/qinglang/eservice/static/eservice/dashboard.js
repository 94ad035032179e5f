// E-station dashboard charts. Data comes from the json_script block (no inline scripts: CSP).
(function () {
  "use strict";
  var source = document.getElementById("es-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var font = { fontFamily: getComputedStyle(document.body).fontFamily };
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el);
    option.textStyle = font;
    chart.setOption(option);
    charts.push(chart);
  }

  draw("es-workload-chart", {
    tooltip: { trigger: "axis" },
    legend: { data: [el("kpi-open"), el("kpi-overdue")] },
    grid: { left: 40, right: 16, top: 36, bottom: 60 },
    xAxis: { type: "category", data: data.stations, axisLabel: { interval: 0, rotate: data.stations.length > 4 ? 20 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: el("kpi-open"), type: "bar", barMaxWidth: 48, data: data.open, itemStyle: { color: "#1f6feb" } },
      { name: el("kpi-overdue"), type: "bar", barMaxWidth: 48, data: data.overdue, itemStyle: { color: "#cf222e" } }
    ]
  });
  draw("es-intake-chart", {
    tooltip: { trigger: "axis" },
    grid: { left: 36, right: 12, top: 16, bottom: 28 },
    xAxis: { type: "category", data: data.intake.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "line", areaStyle: { opacity: 0.25 }, data: data.intake.counts }]
  });
  draw("es-rating-chart", {
    tooltip: { trigger: "axis" },
    grid: { left: 36, right: 12, top: 16, bottom: 28 },
    xAxis: { type: "category", data: ["1", "2", "3", "4", "5"] },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", barMaxWidth: 48, data: data.ratings, itemStyle: { color: "#1a7f37" } }]
  });

  // Series names follow the page language: reuse the labels of the figures above the charts.
  function el(id) {
    var node = document.getElementById(id);
    return node ? node.parentNode.querySelector("span").textContent : id;
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
