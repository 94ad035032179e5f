// Charts of the monitor pages, drawn from the JSON each page embeds (no inline script: CSP),
// and the alert-rule form's field switching.
(function () {
  "use strict";

  // The alert-rule form: show only the fields the chosen kind of rule reads.
  var kind = document.getElementById("id_kind");
  if (kind) {
    var uses = { entity_negative: ["entity", "negativity"], category: ["category"], burst: ["min_size"], keyword: ["keyword"] };
    var showFields = function () {
      Object.keys(uses).forEach(function (k) {
        uses[k].forEach(function (name) {
          var row = document.querySelector(".rule-field-" + name);
          if (row) { row.hidden = (uses[kind.value] || []).indexOf(name) < 0; }
        });
      });
    };
    kind.addEventListener("change", showFields);
    showFields();
  }

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

  // The events list: one tiny line per row, all from one embedded series (drawn over the
  // server-side SVG, which stays when ECharts is not installed).
  var sparks = data("event-spark-data");
  if (sparks) {
    Array.prototype.forEach.call(document.querySelectorAll(".spark[data-event]"), function (holder) {
      var counts = sparks.events[holder.getAttribute("data-event")];
      if (!counts) { return; }
      holder.textContent = "";
      var chart = echarts.init(holder, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        grid: { left: 1, right: 1, top: 2, bottom: 2 },
        tooltip: { trigger: "axis", confine: true, formatter: function (p) { return p[0].name + "：" + p[0].value + " 条"; } },
        xAxis: { type: "category", data: sparks.days, show: false, boundaryGap: false },
        yAxis: { type: "value", show: false, min: 0 },
        series: [{ type: "line", data: counts, symbol: "none", smooth: true,
                   lineStyle: { width: 1.5, color: "#1f6feb" }, areaStyle: { color: "rgba(31,111,235,.15)" } }]
      });
    });
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
