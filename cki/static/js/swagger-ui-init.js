// Starts Swagger UI with the configuration the page carries (no inline script: see the CSP).
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.getAttribute("data-config"));
  config.dom_id = "#swagger-ui-container";
  window.ui = SwaggerUIBundle(config);
});
