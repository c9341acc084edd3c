import { Testing } from 'cdktf';
// The matchers' typings (toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, …).
import 'cdktf/lib/testing/adapters/jest';

// Registers cdktf's matchers (toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ...).
Testing.setupJest();
