export declare const HELM_NAMESPACE_SENTINEL: string;
export declare const MIGRATION_HELM_HOOK: Readonly<Record<string, string>>;
