// The query page: YASGUI (vendored, see scripts/vendor_yasgui.sh) on this endpoint, one tab per example.
// Nothing leaves this server: the editor's prefix list is the one bundled in YASGUI (prefixCcApi stays
// null) and the class and property autocompleters, which ask an outside vocabulary service, are off.
// Nothing is kept in the browser either (persistenceId null): every visit starts from the examples.
// A link may open a query (#query=..., as /sparql?query=... redirects here), and YASGUI runs it at once:
// it is taken from the link alone, and run on this endpoint alone. YASGUI would also take endpoint=,
// headers=, requestMethod= and more from a link, so a link could have it send a query elsewhere and write
// that server's answer into this page.
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  if (!element || !window.Yasgui) return;
  var Yasgui = window.Yasgui.default || window.Yasgui.Yasgui || window.Yasgui;
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var ours = function () { return { endpoint: endpoint, method: "POST" }; };

  // Before YASGUI reads the link: keep its query, drop everything else.
  var linked = new URLSearchParams(window.location.hash.slice(1)).get("query");
  window.history.replaceState(null, "", window.location.pathname + window.location.search +
                              (linked ? "#query=" + encodeURIComponent(linked) : ""));

  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  var yasgui = new Yasgui(element, {
    requestConfig: ours(),
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    persistenceId: null,
    autoAddOnInit: false,
    // And whatever YASGUI made of the link, the tab it opens asks this endpoint.
    populateFromUrl: function (tab) {
      tab.requestConfig = ours();
      return tab;
    },
    tabName: "Query",
    yasqe: { persistenceId: null },
  });
  // A shared link (#query=...) opens as a tab of its own and stays in front.
  var shared = yasgui.persistentConfig.getTabs().length > 0;
  config.examples.forEach(function (example, i) {
    yasgui.addTab(!shared && i === 0, {
      name: example.title,
      yasqe: { value: example.query },
      requestConfig: ours(),
    });
  });
  window.lodYasgui = yasgui; // for the browser test and for the curious
})();
