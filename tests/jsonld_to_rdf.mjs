// jsonld.js turns JSON-LD into N-Quads, as a browser or Node client would.
// stdin: {"contexts": {url: contextDocument}, "items": [{"name", "body"} | {"name", "url", "accept"}]}
// An item with a url is fetched over HTTP; a context named in "contexts" is taken from there, any other
// is fetched by jsonld.js's own loader. stdout: {name: nquads} or {name: {"error": message}}.
import jsonld from 'jsonld';

const input = JSON.parse(await new Promise((resolve) => {
  let data = '';
  process.stdin.on('data', (chunk) => { data += chunk; });
  process.stdin.on('end', () => resolve(data));
}));

const network = jsonld.documentLoaders.node();
const documentLoader = async (url) => {
  if (input.contexts && url in input.contexts) {
    return { contextUrl: null, documentUrl: url, document: input.contexts[url] };
  }
  return network(url);
};

const out = {};
for (const item of input.items) {
  try {
    let body = item.body;
    if (item.url) {
      const response = await fetch(item.url, { headers: { Accept: item.accept || 'application/ld+json' } });
      if (!response.ok) throw new Error(`${item.url} answered ${response.status}`);
      body = await response.text();
    }
    out[item.name] = await jsonld.toRDF(JSON.parse(body), { format: 'application/n-quads', documentLoader });
  } catch (e) {
    out[item.name] = { error: String(e && e.message || e) };
  }
}
process.stdout.write(JSON.stringify(out));
