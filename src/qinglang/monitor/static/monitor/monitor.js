// Charts of the monitor pages, drawn from the JSON each page embeds (no inline script: CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(holderId, option) {
    var holder = document.getElementById(holderId);
    if (!holder) { return; }
    var chart = echarts.init(holder, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var base = { grid: { left: 44, right: 44, top: 28, bottom: 28 }, tooltip: { trigger: "axis" } };

  var ev = data("event-chart-data");
  if (ev) {
    draw("event-chart", Object.assign({}, base, {
      legend: { data: ["文档数", "情感倾向"], top: 0 },
      xAxis: { type: "category", data: ev.labels },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: -1, max: 1 }],
      series: [
        { name: "文档数", type: "bar", data: ev.counts, itemStyle: { color: "#1f6feb" } },
        { name: "情感倾向", type: "line", yAxisIndex: 1, data: ev.sentiment, itemStyle: { color: "#cf222e" } }
      ]
    }));
  }

  var mentions = data("mention-chart-data");
  if (mentions) {
    draw("mention-chart", Object.assign({}, base, {
      legend: { data: ["提及", "负面"], top: 0 },
      xAxis: { type: "category", data: mentions.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "提及", type: "line", data: mentions.counts, itemStyle: { color: "#1f6feb" } },
        { name: "负面", type: "bar", data: mentions.negative, itemStyle: { color: "#cf222e" } }
      ]
    }));
  }

  var volume = data("report-chart-data");
  if (volume) {
    draw("report-chart", Object.assign({}, base, {
      xAxis: { type: "category", data: volume.labels },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: volume.counts, itemStyle: { color: "#1f6feb" } }]
    }));
  }
})();
