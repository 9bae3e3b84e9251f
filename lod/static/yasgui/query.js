// The query page: YASGUI (vendored, see scripts/vendor_yasgui.sh) on this endpoint, one tab per example.
// Nothing leaves this server: the editor's prefix list is the one bundled in YASGUI (prefixCcApi stays
// null) and the class and property autocompleters, which ask an outside vocabulary service, are off.
// Nothing is kept in the browser either (persistenceId null): every visit starts from the examples.
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  if (!element || !window.Yasgui) return;
  var Yasgui = window.Yasgui.default || window.Yasgui.Yasgui || window.Yasgui;
  var endpoint = new URL(config.endpoint, window.location.href).href;

  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  var yasgui = new Yasgui(element, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    persistenceId: null,
    autoAddOnInit: false,
    populateFromUrl: true,
    tabName: "Query",
    yasqe: { persistenceId: null },
  });
  // A shared link (#query=...) opens as a tab of its own and stays in front.
  var shared = yasgui.persistentConfig.getTabs().length > 0;
  config.examples.forEach(function (example, i) {
    yasgui.addTab(!shared && i === 0, {
      name: example.title,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint },
    });
  });
  window.lodYasgui = yasgui; // for the browser test and for the curious
})();
