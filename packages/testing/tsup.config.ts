import { library } from '../../tsup.library'

// Node only: the servers are node:http servers.
export default library('node')
