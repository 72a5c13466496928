// Starts Swagger UI on /api/v1/docs (api/templates/swagger_ui.html). A file of its own because
// the Content-Security-Policy allows no inline script. The OpenAPI document's URL and
// flask-smorest's OPENAPI_SWAGGER_UI_CONFIG come from the container's data attributes.
window.addEventListener('load', function () {
  var container = document.getElementById('swagger-ui-container');
  var config = {
    url: container.dataset.specUrl,
    dom_id: '#swagger-ui-container',
    // the online validator's badge would be fetched from outside the server: never
    validatorUrl: null,
  };
  var extra = JSON.parse(container.dataset.config || '{}');
  for (var name in extra) {
    if (Object.prototype.hasOwnProperty.call(extra, name)) config[name] = extra[name];
  }
  window.ui = SwaggerUIBundle(config);
});
