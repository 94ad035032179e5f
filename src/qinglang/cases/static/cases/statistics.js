// Draws the statistics charts from the JSON the page embeds (the CSP forbids inline scripts).
(function () {
  "use strict";
  var source = document.getElementById("cases-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  function option(type, part) {
    if (type === "pie") {
      return { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: ["35%", "65%"],
        data: part.labels.map(function (label, i) { return { name: label, value: part.counts[i] }; }) }] };
    }
    return {
      tooltip: { trigger: "axis" }, grid: { left: 40, right: 16, top: 16, bottom: 60 },
      xAxis: { type: "category", data: part.labels, axisLabel: { interval: 0, rotate: part.labels.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: type, data: part.counts, itemStyle: { color: "#1f6feb" }, smooth: type === "line" }]
    };
  }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var part = data[el.getAttribute("data-chart")];
    if (!part || part.labels.length === 0) { el.textContent = "—"; el.classList.add("hint"); return; }
    var chart = echarts.init(el);
    chart.setOption(option(el.getAttribute("data-type"), part));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
