// The public API of samokoder-infra: everything, from the package root. Teams that use one engine can import a
// subpath instead (`samokoder-infra/k8s`, `/aws`, `/digitalocean`), which loads only the peers that engine needs.
export * from './entry-k8s';
export * from './entry-aws';
export * from './entry-digitalocean';
