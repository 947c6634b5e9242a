// mlexp: small improvements over pages that work without JavaScript.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", function () {
  // Forms marked data-autosubmit apply a changed <select> at once; their submit button is
  // hidden (class js-hide) since it is only needed without JavaScript.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (e) {
      if (e.target && e.target.tagName === "SELECT") {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });

  // The runs table: count the selection on the Compare button.
  var compare = document.querySelector("[data-compare-count]");
  if (compare) {
    var form = compare.form;
    var update = function () {
      var n = form.querySelectorAll("input[name=run_ids]:checked, input[type=hidden][name=run_ids]").length;
      compare.textContent = "Compare Selected (" + n + ")";
      compare.disabled = n < 2;
    };
    form.addEventListener("change", update);
    update();
  }

  // Chart tooltips: hovering a heatmap cell, a curve point or a parallel-coordinates line
  // shows its <title> (its run and values) at once, in a box by the pointer. The title
  // moves to data-tip and aria-label, so that the browser's own slow tooltip does not
  // show it a second time.
  var tip = document.createElement("div");
  tip.className = "chart-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.appendChild(tip);
  var tipOf = function (el) {
    for (; el && el.nodeType === 1 && el.tagName.toLowerCase() !== "svg"; el = el.parentNode) {
      if (el.hasAttribute("data-tip")) {
        return el;
      }
      var title = el.querySelector(":scope > title");
      if (title) {
        el.setAttribute("data-tip", title.textContent);
        el.setAttribute("aria-label", title.textContent);
        title.remove();
        return el;
      }
    }
    return null;
  };
  document.querySelectorAll(".chart svg").forEach(function (svg) {
    svg.addEventListener("mousemove", function (e) {
      var el = tipOf(e.target);
      if (!el) {
        tip.hidden = true;
        return;
      }
      tip.textContent = el.getAttribute("data-tip");
      tip.hidden = false;
      var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
      var y = e.clientY + 16;
      if (y + tip.offsetHeight > window.innerHeight) {
        y = e.clientY - tip.offsetHeight - 10;
      }
      tip.style.left = Math.max(4, x) + "px";
      tip.style.top = Math.max(4, y) + "px";
    });
    svg.addEventListener("mouseleave", function () {
      tip.hidden = true;
    });
  });

  // Copy buttons: data-copy names the element whose text goes to the clipboard.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) {
        return;
      }
      navigator.clipboard.writeText(source.textContent).then(function () {
        button.textContent = "Copied";
      }, function () {
        button.textContent = "Select and copy";
      });
    });
  });
});
