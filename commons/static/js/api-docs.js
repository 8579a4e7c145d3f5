// Starts Swagger UI on /api/v1/docs. A file, not an inline script: the CSP forbids those.
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  if (!element || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: element.getAttribute("data-spec-url"),
    domNode: element,
    deepLinking: true,
    // No calls to the public validator service: the page works offline.
    validatorUrl: null,
    persistAuthorization: false,
  });
})();
