import { includeSuite } from './util/suites';

includeSuite('reference');
