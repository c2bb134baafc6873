// Stands in for js-yaml in the bundle (see bundle.mjs): gray-matter binds these when it loads and
// never calls them, because custodian-hooks passes it a YAML engine of its own.
const unused = () => {
  throw new Error('js-yaml is not bundled: give gray-matter a YAML engine');
};
module.exports = { safeLoad: unused, safeDump: unused };
