import { MemoryStore } from '../../src/store/memory-store';
import { runStoreContract } from './contract';

runStoreContract('memory', async () => new MemoryStore());
