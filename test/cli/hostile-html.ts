// Test fixture shared by report.test.ts and report-chromium.test.ts: a spec whose every
// string the report shows carries an HTML, script or Markdown payload.
export const HOSTILE_HTML = {
  openapi: '3.0.3',
  info: { title: '</title><script>document.documentElement.setAttribute("data-pwned","title")</script>', version: '1<b>' },
  components: {
    securitySchemes: {
      '<img src=x onerror="document.documentElement.setAttribute(\'data-pwned\',\'scheme\')">': { type: 'apiKey', in: 'header', name: 'X-K' },
      Other: { type: 'apiKey', in: 'cookie', name: '"><svg onload=alert(1)>' },
    },
  },
  paths: {
    '/a/</script><script>document.documentElement.setAttribute("data-pwned","path")</script>': {
      get: {
        operationId: '<iframe src="javascript:alert(1)"></iframe>',
        summary: '\u2028</script><!--',
        security: [{ '<img src=x onerror="document.documentElement.setAttribute(\'data-pwned\',\'scheme\')">': [], Other: [] }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/public': { get: { operationId: 'open', security: [], responses: { '200': { description: 'ok' } } } },
  },
};
