import { includeSuite } from './util/suites';

includeSuite('aws');
