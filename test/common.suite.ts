import { includeSuite } from './util/suites';

includeSuite('common');
