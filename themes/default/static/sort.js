/* Sortable tables: progressive enhancement for `table.sortable`.
   Without JavaScript the table reads as it was built. With it, each column heading becomes a
   button; activating it sorts the rows by that column (ascending, then descending) and updates
   `aria-sort`. Cells are compared by their `data-sort` attribute when present, otherwise by their
   text. A column whose non-empty values are all numbers sorts numerically; empty values always
   sort last. No dependencies, no eval, no inline handlers. */
(function () {
  "use strict";

  var NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  var ICONS = { none: "↕", ascending: "▲", descending: "▼" };

  function sortKey(cell) {
    if (!cell) {
      return "";
    }
    var value = cell.getAttribute("data-sort");
    if (value === null) {
      value = cell.textContent;
    }
    return value.trim();
  }

  function columnIsNumeric(rows, index) {
    var seen = false;
    for (var i = 0; i < rows.length; i++) {
      var key = sortKey(rows[i].cells[index]);
      if (key === "") {
        continue;
      }
      if (!NUMBER.test(key)) {
        return false;
      }
      seen = true;
    }
    return seen;
  }

  function headingText(th) {
    var label = th.querySelector(".sort-label");
    return (label ? label.textContent : th.textContent).replace(/\s+/g, " ").trim();
  }

  function enhance(table, tableIndex) {
    var head = table.tHead;
    var body = table.tBodies[0];
    if (!head || !body || head.rows.length === 0) {
      return;
    }
    var headers = Array.prototype.slice.call(head.rows[head.rows.length - 1].cells);
    var collator = new Intl.Collator(document.documentElement.lang || undefined, {
      numeric: true,
      sensitivity: "base"
    });

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.id = "sort-status-" + tableIndex;
    var anchor = table.closest(".table-wrap") || table;
    anchor.parentNode.insertBefore(status, anchor.nextSibling);

    headers.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      var label = document.createElement("span");
      label.className = "sort-label";
      while (th.firstChild) {
        label.appendChild(th.firstChild);
      }
      var icon = document.createElement("span");
      icon.className = "sort-icon";
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = ICONS.none;
      button.appendChild(label);
      button.appendChild(icon);
      th.appendChild(button);

      button.addEventListener("click", function () {
        var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortBy(index, direction);
      });
    });

    function sortBy(index, direction) {
      var rows = Array.prototype.slice.call(body.rows);
      var numeric = columnIsNumeric(rows, index);
      var factor = direction === "ascending" ? 1 : -1;
      var decorated = rows.map(function (row, position) {
        var key = sortKey(row.cells[index]);
        return { row: row, key: key, number: numeric ? parseFloat(key) : 0, position: position };
      });
      decorated.sort(function (a, b) {
        var aEmpty = a.key === "";
        var bEmpty = b.key === "";
        if (aEmpty || bEmpty) {
          if (aEmpty && bEmpty) {
            return a.position - b.position;
          }
          return aEmpty ? 1 : -1;
        }
        var result = numeric ? a.number - b.number : collator.compare(a.key, b.key);
        return result !== 0 ? result * factor : a.position - b.position;
      });
      var fragment = document.createDocumentFragment();
      decorated.forEach(function (item) {
        fragment.appendChild(item.row);
      });
      body.appendChild(fragment);

      headers.forEach(function (other, otherIndex) {
        var icon = other.querySelector(".sort-icon");
        if (otherIndex === index) {
          other.setAttribute("aria-sort", direction);
          if (icon) {
            icon.textContent = ICONS[direction];
          }
        } else {
          other.removeAttribute("aria-sort");
          if (icon) {
            icon.textContent = ICONS.none;
          }
        }
      });
      status.textContent = "Sorted by " + headingText(headers[index]) + ", " + direction + ".";
    }
  }

  function init() {
    var tables = document.querySelectorAll("table.sortable");
    for (var i = 0; i < tables.length; i++) {
      enhance(tables[i], i);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
