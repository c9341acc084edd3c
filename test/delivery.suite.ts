import { includeSuite } from './util/suites';

includeSuite('delivery');
