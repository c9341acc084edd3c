import { includeSuite } from './util/suites';

includeSuite('k8s');
